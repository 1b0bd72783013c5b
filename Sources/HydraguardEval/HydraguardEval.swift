/// Scoring findings against labels.
public enum HydraguardEval {}
