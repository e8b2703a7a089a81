"""Compatibility path for the checks outside the test suite (DESIGN §4).

The mock run lives in `foundation.offline.mockrun`; this keeps `foundation.mockrun.run_program`.
"""

from foundation.offline.mockrun import Recording, Registration, run_program

__all__ = ["Recording", "Registration", "run_program"]
