package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.LEAKY_RELU;
import static dev.kiln.annotations.Initializer.HE_NORMAL;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/**
 * The seed's XOR network: two hidden units with leaky ReLU, a linear output, mean squared error,
 * Adam with learning rate 0.05. Keras's summary of it: 6 + 3 = 9 parameters.
 */
@Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
@Adam(learningRate = 0.05)
public interface Xor {
  @Dense(units = 2, activation = LEAKY_RELU, kernelInit = HE_NORMAL)
  Layer hiddenLayer();

  @Dense(units = 1)
  Layer outputLayer();
}
