package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Conv2D;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Flatten;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.MaxPool2D;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/**
 * W5, the Fashion-MNIST CNN (Keras's classic): Conv2D(32, 3x3, ReLU) - MaxPool 2 - Conv2D(64, 3x3,
 * ReLU) - MaxPool 2 - Flatten - Dense(128, ReLU) - Dense(10, softmax) on 28x28x1 images, Adam 1e-3.
 * A Fashion-MNIST image row of 784 pixels is already a channels-last [28, 28, 1] sample.
 */
@Network(input = {28, 28, 1}, loss = Loss.CATEGORICAL_CROSSENTROPY)
@Adam(learningRate = 1e-3)
public interface FashionCnn {
  @Conv2D(filters = 32, kernelSize = 3, activation = RELU)
  Layer conv1();

  @MaxPool2D
  Layer pool1();

  @Conv2D(filters = 64, kernelSize = 3, activation = RELU)
  Layer conv2();

  @MaxPool2D
  Layer pool2();

  @Flatten
  Layer flat();

  @Dense(units = 128, activation = RELU)
  Layer dense();

  @Dense(units = 10, activation = SOFTMAX)
  Layer output();
}
