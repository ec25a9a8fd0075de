"""The bad-input sweep: every public callable x the input families, each call in a worker process.

``harness`` runs the calls in a pool of persistent worker processes and classifies each
outcome; ``families`` builds the input variants; ``cases_*`` hold one table per module.
"""
