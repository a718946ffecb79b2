package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.RELU;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Dropout;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/**
 * The seed's L2 + dropout example with Keras's layer names (its batch-norm example is
 * {@code dev.kiln.samples.BatchNormClassifier}, tested in the samples module).
 */
final class SeedRegularization {
  private SeedRegularization() {}

  /** L2 + dropout regression model on 32 inputs (the seed's "Dense 128 + Dropout ..." table). */
  @Network(input = 32, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam
  interface L2Dropout {
    @Dense(units = 128, activation = RELU, kernelL2 = 1e-4)
    Layer dense_3();

    @Dropout(0.3)
    Layer dropout_2();

    @Dense(units = 64, activation = RELU, kernelL2 = 1e-4)
    Layer dense_4();

    @Dropout(0.2)
    Layer dropout_3();

    @Dense(units = 1)
    Layer dense_5();
  }
}
