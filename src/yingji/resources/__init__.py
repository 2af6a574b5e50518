"""Resources at hand: supplies, rescue teams, experts, micro rescue stations, video feeds, and
the nearby search that ranks them around an incident."""
