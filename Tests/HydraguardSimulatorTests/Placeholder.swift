// Placeholder: replaced by this target's tests.
