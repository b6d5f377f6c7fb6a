"""Open Referral HSDS: read exports as they really are, and write HSDS 3.0 tabular data packages."""
