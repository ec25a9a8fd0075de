# gp kernels: filled in by the gp family.
