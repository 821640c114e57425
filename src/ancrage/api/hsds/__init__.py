"""The Open Referral HSDS 3.0 API (read-only, public) and the HSDS import/export."""
