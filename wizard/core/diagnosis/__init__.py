"""Diagnosis: for each failure, what is wrong and the exact fix."""
