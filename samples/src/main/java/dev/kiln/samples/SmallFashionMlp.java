package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.Initializer.HE_NORMAL;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/** The evaluation sample's small MLP: Fashion-MNIST 784-64(ReLU)-10 softmax, class-index targets. */
@Network(input = 784, loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY)
@Adam(learningRate = 1e-3)
public interface SmallFashionMlp {
  @Dense(units = 64, activation = RELU, kernelInit = HE_NORMAL)
  Layer hidden();

  @Dense(units = 10, activation = SOFTMAX)
  Layer output();
}
