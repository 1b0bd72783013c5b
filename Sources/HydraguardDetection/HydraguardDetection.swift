/// Signals per account, the account graph, campaigns and verdicts.
public enum HydraguardDetection {}
