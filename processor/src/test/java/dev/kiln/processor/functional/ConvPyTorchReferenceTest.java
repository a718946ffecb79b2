package dev.kiln.processor.functional;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The convolutional networks of {@link ConvFixtureNetworks} against PyTorch 1.13 with {@link
 * GraphPyTorchReferenceTest}'s checks and tolerances: outputs and losses 1e-5; parameter gradients
 * and the gradient with respect to the (channels-last) input 1e-4; parameters and loss after three
 * Adam steps 1e-4. The fixtures hold the inputs channels-last and the weights in PyTorch's layouts
 * (Conv2d [out, in, kh, kw]; the Dense after a Flatten with PyTorch's channels-first columns).
 */
class ConvPyTorchReferenceTest extends GraphPyTorchReferenceTest {
  static Stream<Arguments> networks() {
    return Stream.of(
        Arguments.of("net_conv_valid",
            (java.util.function.LongFunction<dev.kiln.runtime.Model>) seed ->
                new ConvFixtureNetworks_NetConvValidModel(seed, 8), java.util.List.of()),
        network("net_conv_same", seed -> new ConvFixtureNetworks_NetConvSameModel(seed, 8)),
        network("net_conv_dilated", seed -> new ConvFixtureNetworks_NetConvDilatedModel(seed, 8)),
        network("net_conv_pools", seed -> new ConvFixtureNetworks_NetConvPoolsModel(seed, 8)),
        network("net_conv_pools2", seed -> new ConvFixtureNetworks_NetConvPools2Model(seed, 8)),
        network("net_conv_bn", seed -> new ConvFixtureNetworks_NetConvBnModel(seed, 8)),
        network("net_conv_spatial_dropout", seed -> new ConvFixtureNetworks_NetConvSpatialDropoutModel(seed, 8)),
        network("net_conv_flip_translate", seed -> new ConvFixtureNetworks_NetConvFlipTranslateModel(seed, 8)),
        network("net_conv_zoom", seed -> new ConvFixtureNetworks_NetConvZoomModel(seed, 8)),
        network("net_conv_augment_nearest", seed -> new ConvFixtureNetworks_NetConvAugmentNearestModel(seed, 8)),
        network("net_conv_w5", seed -> new ConvFixtureNetworks_NetConvW5Model(seed, 8)));
  }

  /**
   * The parameterized tests of {@link GraphPyTorchReferenceTest} take their arguments from {@code
   * allNetworks}; without this method JUnit finds the superclass's, which lists the graph networks,
   * and this class would check those again instead of the convolutional ones.
   */
  static Stream<Arguments> allNetworks() {
    return networks();
  }

  /** The networks with training-only layers: their fixtures hold the training-mode outputs too. */
  static Stream<Arguments> noisyNetworks() {
    java.util.Set<String> noisy = java.util.Set.of("net_conv_spatial_dropout", "net_conv_flip_translate",
        "net_conv_zoom", "net_conv_augment_nearest");
    return networks().filter(a -> noisy.contains((String) a.get()[0]));
  }

  /**
   * The training-mode pass itself, element by element within 1e-5: spatial dropout's masks and the
   * augmentations' draws regenerated in Python, translation and zoom resampled by Keras's
   * map_coordinates rules written with torch ops.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("noisyNetworks")
  void trainingModeOutputsMatchPyTorch(String name, java.util.function.LongFunction<dev.kiln.runtime.Model> factory,
      java.util.List<String> inputNames) throws Exception {
    Fixture fixture = Fixture.load(name);
    dev.kiln.runtime.Model model = fixture.modelAtInitialWeights(factory, dir);
    fixture.seedNoise(model);
    float[][] out = model.core().forwardTraining(fixture.matrix("input.x"));
    Fixture.assertClose(fixture.file.floats("expected.train_output"), Fixture.flatten(out), OUTPUT_TOLERANCE,
        name + " training-mode output");
  }

  private static Arguments network(String name, java.util.function.LongFunction<dev.kiln.runtime.Model> factory) {
    return Arguments.of(name, factory, java.util.List.of());
  }
}
