package dev.kiln.processor.functional;

import static dev.kiln.annotations.ActivationFunction.ELU;
import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
import static dev.kiln.annotations.ActivationFunction.SWISH;
import static dev.kiln.annotations.ActivationFunction.TANH;

import dev.kiln.annotations.Activation;
import dev.kiln.annotations.AvgPool2D;
import dev.kiln.annotations.BatchNorm;
import dev.kiln.annotations.Concatenate;
import dev.kiln.annotations.Conv2D;
import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Flatten;
import dev.kiln.annotations.GlobalAveragePool2D;
import dev.kiln.annotations.GlobalMaxPool2D;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.MaxPool2D;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Padding;
import dev.kiln.annotations.Sgd;
import dev.kiln.processor.functional.GraphPyTorchReferenceTest.Batch;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.Model;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link InputGradientCheckTest}'s central differences for the image layer kinds: every
 * convolutional fixture network but W5 at PyTorch's weights (Conv2D with VALID and SAME padding,
 * strides, dilation; both pools, overlapping and not; global pools; batch norm on images; Flatten),
 * and small networks at seeded weights on seeded data: a Flatten of the network input, a Flatten
 * whose input has another reader (its gradient is then its own buffer, not a view), and each pool
 * with SAME padding on odd sizes.
 */
class ConvInputGradientCheckTest {
  @TempDir Path dir;

  static Stream<Arguments> fixtures() {
    // W5: 1,568 inputs. net_conv_bn: ReLU right after batch norm puts pre-activations within the
    // 1e-3 step of the kink (its input gradient is checked in float64 with a 1e-6 step by
    // make_fixtures.py); GcBatchNorm below checks batch norm on images with a smooth activation.
    return ConvPyTorchReferenceTest.networks()
        .filter(a -> !a.get()[0].equals("net_conv_w5") && !a.get()[0].equals("net_conv_bn"));
  }

  @ParameterizedTest(name = "{0} at PyTorch's weights")
  @MethodSource("fixtures")
  void fixtureNetworks(String name, LongFunction<Model> factory, List<String> inputNames) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    InputGradientCheckTest.check(name, model, Batch.of(fixture, inputNames), fixture.matrix("input.y"));
  }

  static Stream<Arguments> layerNetworks() {
    return Stream.of(
        Arguments.of("flatten of the network input", (LongFunction<Model>) s -> new ConvInputGradientCheckTest_GcFlattenInputModel(s, 4)),
        Arguments.of("flatten with a second reader", (LongFunction<Model>) s -> new ConvInputGradientCheckTest_GcFlattenSharedModel(s, 4)),
        Arguments.of("batch norm on images", (LongFunction<Model>) s -> new ConvInputGradientCheckTest_GcBatchNormModel(s, 4)),
        Arguments.of("SAME pools on odd sizes, stride-2 SAME convolution", (LongFunction<Model>) s -> new ConvInputGradientCheckTest_GcPoolsModel(s, 4)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layerNetworks")
  void layerKinds(String name, LongFunction<Model> factory) {
    Model model = factory.apply(11);
    Random random = new Random(2026);
    int inputSize = model.core().info().inputSize(0);
    float[][] x = new float[3][inputSize];
    for (float[] row : x) {
      for (int j = 0; j < inputSize; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    int width = model.core().info().outputSize();
    float[][] y = new float[3][width];
    for (float[] row : y) {
      row[random.nextInt(width)] = 1f;
    }
    InputGradientCheckTest.check(name, model, new Batch(List.<float[][]>of(x), false), y);
  }

  @Network(input = {3, 4, 2}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd
  interface GcFlattenInput {
    @Flatten
    Layer flat();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = {5, 6, 2}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd
  interface GcFlattenShared {
    @Conv2D(filters = 3, kernelSize = {2, 3}, activation = TANH)
    Layer conv();

    @Flatten
    Layer flat(Layer conv);

    @GlobalAveragePool2D
    Layer mean(Layer conv);

    @Concatenate
    Layer both(Layer flat, Layer mean);

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = {6, 5, 2}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd
  interface GcBatchNorm {
    @Conv2D(filters = 3, kernelSize = 3, padding = Padding.SAME, useBias = false)
    Layer conv();

    @BatchNorm(momentum = 0.9, epsilon = 1e-3)
    Layer norm();

    @Activation(TANH)
    Layer act();

    @AvgPool2D
    Layer pool();

    @Flatten
    Layer flat();

    @Dense(units = 3, activation = SOFTMAX)
    Layer output();
  }

  @Network(input = {7, 5, 3}, loss = Loss.CATEGORICAL_CROSSENTROPY)
  @Sgd
  interface GcPools {
    @Conv2D(filters = 4, kernelSize = 3, strides = 2, padding = Padding.SAME, activation = SWISH)
    Layer conv();

    @MaxPool2D(poolSize = 2, strides = 1, padding = Padding.SAME)
    Layer max();

    @AvgPool2D(poolSize = {3, 2}, strides = {2, 1}, padding = Padding.SAME)
    Layer avg();

    @Conv2D(filters = 3, kernelSize = 1, activation = ELU)
    Layer pointwise();

    @GlobalMaxPool2D
    Layer pool();

    @Dense(units = 2, activation = SOFTMAX)
    Layer output();
  }
}
