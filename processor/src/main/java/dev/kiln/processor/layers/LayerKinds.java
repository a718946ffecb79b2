package dev.kiln.processor.layers;

import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import java.util.List;
import java.util.function.Function;

/**
 * The registry of layer kinds: each layer annotation with the reader that turns it into the kind's
 * spec. The spec owns the kind's rules and names its emitter, so adding a kind is its annotation,
 * its spec, its emitter, its messages and one line here (docs/architecture.md, "Adding a layer
 * kind").
 */
public final class LayerKinds {
  /**
   * One layer annotation ({@code dev.kiln.annotations.<annotation>}) and its reader.
   *
   * @param annotation the annotation's simple name
   * @param reader reads a method carrying the annotation into the kind's spec
   */
  public record Kind(String annotation, Function<LayerDeclaration, LayerSpec> reader) {}

  /** Every kind, in the order a method's conflicting annotations are reported. */
  public static final List<Kind> ALL = List.of(
      new Kind("Dense", DenseLayer::read),
      new Kind("Activation", ActivationLayer::read),
      new Kind("Dropout", DropoutLayer::read),
      new Kind("GaussianNoise", GaussianNoiseLayer::read),
      new Kind("BatchNorm", NormalizationLayer::readBatchNorm),
      new Kind("LayerNorm", NormalizationLayer::readLayerNorm),
      new Kind("Input", InputLayer::read),
      new Kind("Add", AddLayer::read),
      new Kind("Concatenate", ConcatenateLayer::read),
      new Kind("Conv2D", Conv2DLayer::read),
      new Kind("MaxPool2D", PoolLayer::readMax),
      new Kind("AvgPool2D", PoolLayer::readAverage),
      new Kind("GlobalAveragePool2D", GlobalPoolLayer::readAverage),
      new Kind("GlobalMaxPool2D", GlobalPoolLayer::readMax),
      new Kind("Flatten", FlattenLayer::read),
      new Kind("SpatialDropout2D", SpatialDropout2DLayer::read),
      new Kind("RandomFlip", RandomFlipLayer::read),
      new Kind("RandomTranslation", RandomTranslationLayer::read),
      new Kind("RandomZoom", RandomZoomLayer::read),
      new Kind("LSTM", RecurrentLayer::readLstm),
      new Kind("GRU", RecurrentLayer::readGru),
      new Kind("SimpleRNN", RecurrentLayer::readSimpleRnn),
      new Kind("Embedding", EmbeddingLayer::read),

      new Kind("Reshape", ReshapeLayer::read));

  private LayerKinds() {}

  /** The input declared by {@code @Network(input = ...)}, as a node named {@code input}. */
  public static LayerSpec implicitInput(dev.kiln.processor.model.Site site, String name, int[] shape) {
    return new InputLayer(name, site, List.of(), shape, "input");
  }

  /** {@code @Dense, @Activation, ...}: the annotations a layer method can carry, for messages. */
  public static String annotationList() {
    return String.join(", ", ALL.stream().map(k -> "@" + k.annotation()).toList());
  }
}
