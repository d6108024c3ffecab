"""The living documentation: one page a reviewer reads to sign off what is enforced and where.

The design's requirements traced to controls, scenarios and status per environment
(`requirements`, `matrix`); the evidence `up` recorded for each environment (`evidence`); features
and scenarios as written with their runs (`results`, `document`); the exception register; the commit,
tool versions, plan digests and the page's own hash (`provenance`); a machine-readable summary to
diff against (`summary`), the reviewer's sign-off (`signoff`), and the CSV and PDF forms (`exports`).
"""
