package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.LEAKY_RELU;
import static dev.kiln.annotations.Initializer.HE_NORMAL;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/** The seed's Keras XOR model, with its layer names. */
@Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR, maxBatch = 4)
@Adam(learningRate = 0.05)
interface SeedXor {
  @Dense(units = 2, activation = LEAKY_RELU, kernelInit = HE_NORMAL)
  Layer hidden_layer();

  @Dense(units = 1)
  Layer output_layer();
}
