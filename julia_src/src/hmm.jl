# hmm kernels: filled in by the hmm family.
