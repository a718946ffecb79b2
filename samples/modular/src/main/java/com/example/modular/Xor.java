package com.example.modular;

import dev.kiln.annotations.ActivationFunction;
import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Initializer;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/** The seed's XOR network (as samples' Xor), declared inside a named module. */
@Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
@Adam(learningRate = 0.05)
public interface Xor {
  @Dense(units = 2, activation = ActivationFunction.LEAKY_RELU, kernelInit = Initializer.HE_NORMAL)
  Layer hiddenLayer();

  @Dense(units = 1)
  Layer outputLayer();
}
