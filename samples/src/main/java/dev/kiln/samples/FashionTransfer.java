package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.Initializer.HE_NORMAL;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/**
 * The transfer sample's network: Fashion-MNIST 784-256(ReLU)-128(ReLU) feature layers and a 5-way
 * softmax head, Adam 1e-3. Trained on classes 0-4, its feature layers are reused for classes 5-9.
 */
@Network(input = 784, loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY)
@Adam(learningRate = 1e-3)
public interface FashionTransfer {
  @Dense(units = 256, activation = RELU, kernelInit = HE_NORMAL)
  Layer features1();

  @Dense(units = 128, activation = RELU, kernelInit = HE_NORMAL)
  Layer features2();

  @Dense(units = 5, activation = SOFTMAX)
  Layer head();
}
