"""citygate's custom Checkov checks (CKV_CG_<N>): controls Checkov's built-in checks do not cover.

Loaded with `checkov --external-checks-dir policies/checkov`: one `BaseResourceCheck` per Python
module, and YAML graph checks for rules that relate two resources.  Checkov imports every module
here by file name, so module names carry a `cg_` prefix to stay clear of other modules.
"""
