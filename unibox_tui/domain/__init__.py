"""Rules and state of the inbox with no UI: triage, referrals, transfers, the inbox model."""
