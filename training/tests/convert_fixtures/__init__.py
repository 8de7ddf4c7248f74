"""Fake official taming checkpoints for the converter tests (see fake_taming_checkpoint.py)."""
