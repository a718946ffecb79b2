package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.ELU;
import static dev.kiln.annotations.ActivationFunction.RELU;
import static dev.kiln.annotations.ActivationFunction.SIGMOID;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.ActivationFunction.TANH;

import dev.kiln.annotations.Activation;
import dev.kiln.annotations.Adam;
import dev.kiln.annotations.AvgPool2D;
import dev.kiln.annotations.BatchNorm;
import dev.kiln.annotations.Conv2D;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Flatten;
import dev.kiln.annotations.GlobalAveragePool2D;
import dev.kiln.annotations.GlobalMaxPool2D;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.MaxPool2D;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Padding;
import dev.kiln.annotations.FillMode;
import dev.kiln.annotations.FlipMode;
import dev.kiln.annotations.Interpolation;
import dev.kiln.annotations.RandomFlip;
import dev.kiln.annotations.RandomTranslation;
import dev.kiln.annotations.RandomZoom;
import dev.kiln.annotations.Sgd;
import dev.kiln.annotations.SpatialDropout2D;
import dev.kiln.runtime.Layer;

/**
 * The convolutional networks of processor/src/test/resources/fixtures/net_conv_*.safetensors,
 * declared exactly as runtime/src/test/python/make_fixtures.py builds them ({@code CONV_NETS}):
 * channels-last inputs, VALID and SAME padding (SAME with stride 2 and odd sizes), strides 1 and 2,
 * dilation, 1 and 3 input channels, overlapping and non-overlapping pools of both kinds, global
 * pools, batch norm on images, and the W5 network; plus the PyTorch-trained W5 with batch norm
 * ({@code w5_trained.safetensors}).
 */
final class ConvFixtureNetworks {
  private ConvFixtureNetworks() {}

  @Network(input = {7, 9, 1}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetConvValid {
    @Conv2D(filters = 4, kernelSize = {3, 2}, activation = RELU)
    Layer c1();

    @Conv2D(filters = 3, kernelSize = 3, strides = 2, activation = TANH)
    Layer c2();

    @Flatten
    Layer flat();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = {7, 9, 3}, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetConvSame {
    @Conv2D(filters = 4, kernelSize = 3, padding = Padding.SAME, activation = RELU)
    Layer c1();

    @Conv2D(filters = 5, kernelSize = {3, 2}, strides = 2, padding = Padding.SAME, useBias = false)
    Layer c2();

    @GlobalAveragePool2D
    Layer pool();

    @Dense(units = 2)
    Layer output();
  }

  @Network(input = {8, 7, 3}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetConvDilated {
    @Conv2D(filters = 4, kernelSize = 3, dilation = 2, activation = ELU)
    Layer c1();

    @Conv2D(filters = 3, kernelSize = 2, strides = {1, 2}, dilation = {1, 2}, padding = Padding.SAME,
        activation = SIGMOID)
    Layer c2();

    @Flatten
    Layer flat();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = {9, 8, 2}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetConvPools {
    @Conv2D(filters = 4, kernelSize = 3, padding = Padding.SAME, activation = TANH)
    Layer c1();

    @MaxPool2D(poolSize = 3, strides = 2)
    Layer mp();

    @AvgPool2D(padding = Padding.SAME)
    Layer ap();

    @Flatten
    Layer flat();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = {7, 9, 3}, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetConvPools2 {
    @Conv2D(filters = 4, kernelSize = 2, activation = ELU)
    Layer c1();

    @AvgPool2D(poolSize = 3, strides = 2)
    Layer ap();

    @MaxPool2D(padding = Padding.SAME)
    Layer mp();

    @GlobalMaxPool2D
    Layer pool();

    @Dense(units = 2)
    Layer output();
  }

  @Network(input = {6, 5, 3}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetConvSpatialDropout {
    @Conv2D(filters = 4, kernelSize = 3, padding = Padding.SAME, activation = TANH)
    Layer c1();

    @SpatialDropout2D(0.4)
    Layer drop();

    @Conv2D(filters = 3, kernelSize = 2, activation = ELU)
    Layer c2();

    @GlobalAveragePool2D
    Layer pool();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = {5, 6, 2}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetConvFlipTranslate {
    @RandomFlip
    Layer flip();

    @RandomTranslation(heightFactor = 0.3, widthFactor = {-0.2, 0.4})
    Layer shift();

    @Conv2D(filters = 3, kernelSize = 3, activation = TANH)
    Layer c1();

    @Flatten
    Layer flat();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = {6, 5, 2}, loss = Loss.MEAN_SQUARED_ERROR)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetConvZoom {
    @RandomZoom(heightFactor = 0.4, fillMode = FillMode.CONSTANT, fillValue = 0.5)
    Layer zoom();

    @RandomFlip(mode = FlipMode.VERTICAL)
    Layer flip();

    @Conv2D(filters = 3, kernelSize = 2, strides = 2, activation = ELU)
    Layer c1();

    @GlobalAveragePool2D
    Layer pool();

    @Dense(units = 2)
    Layer output();
  }

  @Network(input = {5, 5, 3}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetConvAugmentNearest {
    @Conv2D(filters = 2, kernelSize = 1, activation = TANH)
    Layer c1();

    @RandomTranslation(heightFactor = 0.4, widthFactor = 0.5, fillMode = FillMode.WRAP,
        interpolation = Interpolation.NEAREST)
    Layer shift();

    @RandomZoom(heightFactor = {-0.5, 0.6}, widthFactor = {-0.3, 0.8}, fillMode = FillMode.NEAREST,
        interpolation = Interpolation.NEAREST)
    Layer zoom();

    @RandomFlip(mode = FlipMode.HORIZONTAL)
    Layer flip();

    @SpatialDropout2D(0.3)
    Layer drop();

    @Flatten
    Layer flat();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = {6, 6, 2}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Adam(learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)
  interface NetConvBn {
    @Conv2D(filters = 4, kernelSize = 3, padding = Padding.SAME, useBias = false)
    Layer c1();

    @BatchNorm(momentum = 0.9, epsilon = 1e-3)
    Layer bn();

    @Activation(RELU)
    Layer act();

    @GlobalAveragePool2D
    Layer pool();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  /**
   * W5: the Fashion-MNIST CNN, stepped with SGD in the fixture: some of its gradients sit at
   * float-noise level (4e-8 next to 0.26), and Adam, normalizing each entry, turns their rounding
   * differences into step differences of 1e-3 relative (make_fixtures.py, conv_net).
   */
  @Network(input = {28, 28, 1}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd(learningRate = 0.05)
  interface NetConvW5 {
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

  /**
   * The PyTorch-trained W5 with BatchNorm2d(32, eps=1e-3, momentum=0.01) after conv1: Kiln's
   * epsilon is PyTorch's eps, Kiln's momentum is 1 - PyTorch's momentum.
   */
  @Network(input = {28, 28, 1}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  interface TrainedW5 {
    @Conv2D(filters = 32, kernelSize = 3)
    Layer conv1();

    @BatchNorm(momentum = 0.99, epsilon = 1e-3)
    Layer norm1();

    @Activation(RELU)
    Layer relu1();

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
}
