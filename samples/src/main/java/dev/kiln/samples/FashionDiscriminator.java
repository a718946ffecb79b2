package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.LEAKY_RELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Dropout;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.runtime.Layer;

/**
 * The GAN sample's discriminator: a 784-pixel image in [-1, 1] to the probability that it is a real
 * Fashion-MNIST image, with dropout against memorizing the training images; DCGAN's Adam 2e-4, beta1 0.5.
 */
@Network(input = 784, loss = Loss.BINARY_CROSSENTROPY)
@Adam(learningRate = 2e-4, beta1 = 0.5)
public interface FashionDiscriminator {
  @Dense(units = 512, activation = LEAKY_RELU)
  Layer hidden1();

  @Dropout(0.3)
  Layer drop1();

  @Dense(units = 256, activation = LEAKY_RELU)
  Layer hidden2();

  @Dropout(0.3)
  Layer drop2();

  @Dense(units = 1, activation = SIGMOID)
  Layer output();
}
