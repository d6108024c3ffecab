"""The living documentation: one HTML page a reviewer reads to sign off what is enforced and where.

Features and scenarios as written, each with its result per target and the evidence behind it,
control ids linked to the catalogue, exceptions, a coverage table (every control needs a scenario;
a control without one is a gap) and, when given, the NetworkPolicy reachability matrix.
"""
