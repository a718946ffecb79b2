package dev.kiln.samples;

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

/**
 * The seed's batch-norm binary classifier: 20 inputs, two blocks of Dense (L2 0.01) + BatchNorm +
 * ReLU + Dropout, a sigmoid output; Keras's summary: 3,841 parameters, 192 non-trainable.
 */
@Network(input = 20, loss = Loss.BINARY_CROSSENTROPY)
@Adam(learningRate = 0.001)
public interface BatchNormClassifier {
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
