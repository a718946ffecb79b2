package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.Initializer.HE_NORMAL;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/** The benchmark MLP: Fashion-MNIST 784-256(ReLU)-128(ReLU)-10 softmax, Adam 1e-3. */
@Network(input = 784, loss = Loss.CATEGORICAL_CROSSENTROPY)
@Adam(learningRate = 1e-3)
public interface FashionMlp {
  @Dense(units = 256, activation = RELU, kernelInit = HE_NORMAL)
  Layer hidden1();

  @Dense(units = 128, activation = RELU, kernelInit = HE_NORMAL)
  Layer hidden2();

  @Dense(units = 10, activation = SOFTMAX)
  Layer output();
}
