"""Executable Gherkin specs over the normalized model, in the spirit of terraform-compliance.

The vocabulary (`citygate.bdd.vocabulary`) reads `Inventory`/`Resource` only, so one scenario judges a
synthesized stack, a plan (count/for_each instances, module resources, values known after apply), the
live account or Kubernetes manifests alike.  `citygate.bdd.plugin` binds it to pytest-bdd;
`citygate.bdd.runner` runs a scenario directly (used to prove every scenario can fail).
"""
