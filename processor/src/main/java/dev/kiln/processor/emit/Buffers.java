package dev.kiln.processor.emit;

import dev.kiln.processor.model.DenseSpec;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.Names;
import dev.kiln.processor.model.NetworkPlan;

/**
 * Names of the generated buffers and constants of a layer. Per layer {@code x}: {@code xOut}
 * (output, [batch][X_SIZE]), {@code xPre} (pre-activation, only for a Dense layer with an
 * activation), {@code xGrad} (gradient of the loss with respect to {@code xOut}) and
 * {@code xPreGrad}. Constants: {@code X_WIDTH} (values per sample), {@code X_WEIGHT} and
 * {@code X_BIAS} (offsets); the suffixes differ from the network-wide {@code INPUT_SIZE} family. Where a Dense layer is linear its pre-activation is its output.
 */
final class Buffers {
  /** The network's input buffer, a field of CompiledNetwork. */
  static final String INPUT = "input";

  private static final String SUFFIX_OUT = Names.MEMBER_SUFFIXES.get(0);
  private static final String SUFFIX_PRE = Names.MEMBER_SUFFIXES.get(1);
  private static final String SUFFIX_GRAD = Names.MEMBER_SUFFIXES.get(2);
  private static final String SUFFIX_PRE_GRAD = Names.MEMBER_SUFFIXES.get(3);
  static final String SUFFIX_FORWARD = Names.MEMBER_SUFFIXES.get(4);
  static final String SUFFIX_BACKWARD = Names.MEMBER_SUFFIXES.get(5);

  private Buffers() {}

  static String out(LayerPlan layer) {
    return layer.name() + SUFFIX_OUT;
  }

  static String grad(LayerPlan layer) {
    return layer.name() + SUFFIX_GRAD;
  }

  static boolean hasPreActivation(LayerPlan layer) {
    return layer.spec() instanceof DenseSpec dense && !dense.activation().isLinear();
  }

  static String pre(LayerPlan layer) {
    return hasPreActivation(layer) ? layer.name() + SUFFIX_PRE : out(layer);
  }

  static String preGrad(LayerPlan layer) {
    return hasPreActivation(layer) ? layer.name() + SUFFIX_PRE_GRAD : grad(layer);
  }

  /** What the layer reads: the previous layer's output or the network input. */
  static String in(LayerPlan layer) {
    return layer.isFirst() ? INPUT : out(layer.input());
  }

  /** Where the layer writes the gradient with respect to its input; null for the first layer. */
  static String inGrad(LayerPlan layer) {
    return layer.isFirst() ? null : grad(layer.input());
  }

  /** True when the gradient with respect to the layer's output is written by someone. */
  static boolean needsGrad(NetworkPlan network, LayerPlan layer) {
    return layer != network.output() || !layer.lossFused();
  }

  static String size(LayerPlan layer) {
    return Names.constant(layer.name()) + Names.CONSTANT_SUFFIXES.get(0);
  }

  static String offset(LayerPlan layer, String tensorSuffix) {
    return Names.constant(layer.name()) + "_" + tensorSuffix.toUpperCase(java.util.Locale.ROOT);
  }
}
