# dsp kernels: filled in by the dsp family.
