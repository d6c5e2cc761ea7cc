"""Training: modules and their rules, learners' progress, certificates and the team view."""
