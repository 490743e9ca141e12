"""Every command of ``python -m sahel_sim``: thin wrappers over the library."""
