"""citygate's custom Checkov checks (CKV_CG_<N>): controls Checkov's built-in checks do not cover.

Loaded with `checkov --external-checks-dir policies/checkov`: one `ControlCheck` per Python module,
and YAML graph checks for rules that relate two resources.  Checkov imports every module here by
file name, so module names carry a `cg_` prefix to stay clear of other modules.

A check's name, severity and guideline are the title, severity and description of the catalogue
control that lists it (`cg_control`).  A YAML check cannot compute its metadata, so it states them;
`tests/gate/core/test_rule_facts.py` holds them equal to the control's.
"""
