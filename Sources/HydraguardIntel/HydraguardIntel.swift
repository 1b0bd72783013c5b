/// IP intelligence: MMDB databases and CIDR range lists (filled in by the foundation issue).
public enum HydraguardIntel {}
