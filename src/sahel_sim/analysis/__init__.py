"""Many runs: sweeps, hindcast and calibration."""
