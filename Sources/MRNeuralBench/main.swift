import MRNeural
print("MRNeuralBench: not written yet")
