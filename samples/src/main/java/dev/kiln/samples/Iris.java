package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;

import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.Layer;

/** The seed's Iris network: 4 standardized features, 10 ReLU units, 3-way softmax, SGD 0.1. */
@Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY)
@Sgd(learningRate = 0.1)
public interface Iris {
  @Dense(units = 10, activation = RELU, kernelInit = dev.kiln.annotations.Initializer.HE_NORMAL)
  Layer hidden();

  @Dense(units = 3, activation = SOFTMAX)
  Layer output();
}
