package dev.kiln.samples;

import static dev.kiln.annotations.ActivationFunction.LEAKY_RELU;
import static dev.kiln.annotations.ActivationFunction.TANH;

import dev.kiln.annotations.Adam;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Reshape;
import dev.kiln.runtime.Layer;

/**
 * The GAN sample's generator: 64 Gaussian noise values to a 28 x 28 x 1 image in [-1, 1] (tanh), DCGAN's
 * Adam 2e-4 with beta1 0.5. It learns through {@link dev.kiln.runtime.GanTrainer}, from the gradient the
 * discriminator hands back, so its declared loss is never used (a network must declare one).
 */
@Network(input = 64, loss = Loss.MEAN_SQUARED_ERROR)
@Adam(learningRate = 2e-4, beta1 = 0.5)
public interface FashionGenerator {
  @Dense(units = 256, activation = LEAKY_RELU)
  Layer hidden1();

  @Dense(units = 512, activation = LEAKY_RELU)
  Layer hidden2();

  @Dense(units = 784, activation = TANH)
  Layer pixels();

  @Reshape({28, 28, 1})
  Layer image();
}
