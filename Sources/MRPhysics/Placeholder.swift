// MRPhysics
