/// Labelled honest and hostile traffic.
public enum HydraguardSimulator {}
