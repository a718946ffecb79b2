package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;

import dev.kiln.annotations.Activation;
import dev.kiln.annotations.Adam;
import dev.kiln.annotations.BatchNorm;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Dropout;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/** The seed's two regularization examples, with Keras's layer names. */
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

  /** The batch-norm binary classifier on 20 inputs. */
  @Network(input = 20, loss = Loss.BINARY_CROSSENTROPY)
  @Adam(learningRate = 0.001)
  interface BatchNormClassifier {
    @Dense(units = 64, kernelL2 = 0.01)
    Layer dense_1();

    @BatchNorm
    Layer batch_norm_1();

    @Activation(RELU)
    Layer activation_2();

    @Dropout(0.3)
    Layer dropout_1();

    @Dense(units = 32, kernelL2 = 0.01)
    Layer dense_2();

    @BatchNorm
    Layer batch_norm_2();

    @Activation(RELU)
    Layer activation_3();

    @Dropout(0.2)
    Layer dropout_2();

    @Dense(units = 1, activation = SIGMOID)
    Layer output_layer();
  }
}
