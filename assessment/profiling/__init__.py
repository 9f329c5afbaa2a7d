"""Measuring a client's own customer data: upload, column mapping, the profile, what it
proposes for the roadmap. The rules are in the core (`assessment.customerdata`)."""
