"""design layer."""
