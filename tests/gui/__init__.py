"""Tests of the window (pytest-qt on Xvfb)."""
