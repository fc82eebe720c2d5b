// The translation unit that builds the precompiled LibTorch headers (VarstyleTorchPch.cmake);
// its object is never linked.
