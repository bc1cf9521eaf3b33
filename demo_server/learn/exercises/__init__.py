"""Checks for the workshop exercises in ``notebooks/exercises/``, one module per notebook.

Each ``exercise_N_M`` function checks exercise M of notebook N and returns a
:class:`Feedback`: ``✓`` with the reason it works, or ``✗ … not yet`` with a
specific hint. A notebook imports them as::

    from demo_server.learn import exercises as check
    check.exercise_3_2(rolling_server, active)

The checks never raise: a learner's half-finished answer (``None``, a wrong
type, a stopped server) gets a sentence in plain words, not a stack trace.
Where an exercise is about the wire, the check looks at real exchanges, or
makes its own real requests, rather than trusting what the learner says.

The feedback speaks the language set by :func:`demo_server.i18n.use_language`
at the time the check runs. What the checks share (:class:`Feedback`,
:class:`NotYet`, the decorator and the readers of answers) is in
:mod:`.feedback`; the checks of notebook NN are in the module named after it.
"""

from __future__ import annotations

# The seed's strings and the constants below were names of the old single module: kept for its users.
from ...seed import DEFAULT_USER, GREETING, LOGGED_OUT, LOGIN_DONE  # noqa: F401
from .cookie_issuance import exercise_1_1, exercise_1_2, exercise_1_3
from .destroy import exercise_4_1, exercise_4_2
from .feedback import WIDTH, Feedback, NotYet  # noqa: F401
from .max_age_expiry import SEED_MAX_AGE_MS, exercise_3_1, exercise_3_2  # noqa: F401
from .scaling_out import exercise_8_1, exercise_8_2
from .security_checklist import HTTPONLY_CHOICES, exercise_7_1, exercise_7_2
from .session_lookup import FORGERY_REASONS, exercise_2_1, exercise_2_2

__all__ = [
    "FORGERY_REASONS", "HTTPONLY_CHOICES", "Feedback", "NotYet",
    "exercise_1_1", "exercise_1_2", "exercise_1_3", "exercise_2_1", "exercise_2_2", "exercise_3_1",
    "exercise_3_2", "exercise_4_1", "exercise_4_2", "exercise_7_1", "exercise_7_2", "exercise_8_1",
    "exercise_8_2",
]
