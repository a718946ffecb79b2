package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.Shape;
import java.util.function.Function;

/**
 * One layer as its emitter sees it: the names of its buffers, of its inputs' buffers and of the
 * constants, all allocated by {@link ModelEmitter} so that no layer name can clash with generated
 * code, and the wrappers that make a backward pass skip what was not asked for.
 */
public final class LayerContext {
  private final ModelEmitter model;
  private final LayerPlan layer;

  LayerContext(ModelEmitter model, LayerPlan layer) {
    this.model = model;
    this.layer = layer;
  }

  public LayerPlan layer() {
    return layer;
  }

  /** The layer's index in execution order (inputs not counted): its entry in {@code frozen}. */
  public int layerIndex() {
    return model.layerIndex(layer);
  }

  /** Whether input {@code i} typically holds many zeros ({@code LayerSpec.outputHasZeros}). */
  public boolean inputHasZeros(int i) {
    return model.outputHasZeros(layer.inputs().get(i));
  }

  /** Number of inputs. */
  public int inputCount() {
    return layer.inputs().size();
  }

  /** The buffer holding input {@code i}'s output (a network input, or an earlier layer's output). */
  public String in(int i) {
    return model.out(layer.inputs().get(i));
  }

  /** The constant holding input {@code i}'s values per sample. */
  public String inWidth(int i) {
    return model.width(layer.inputs().get(i));
  }

  /** The constant holding input {@code i}'s last axis (features, channels). */
  public String inFeatures(int i) {
    return model.features(layer.inputs().get(i));
  }

  /** Rows of input {@code i} as [rows x features]: {@code n}, or {@code n * X_POSITIONS}. */
  public String inRows(int i) {
    return model.rows(layer.inputs().get(i));
  }

  public Shape inShape(int i) {
    return layer.inputShape(i);
  }

  public String out() {
    return model.out(layer);
  }

  /** The gradient of the loss with respect to this layer's output. */
  public String grad() {
    return model.grad(layer);
  }

  /** The constant holding this layer's values per sample. */
  public String width() {
    return model.width(layer);
  }

  /** The constant holding this layer's last output axis. */
  public String features() {
    return model.features(layer);
  }

  /** This layer's output rows as [rows x features]: {@code n}, or {@code n * X_POSITIONS}. */
  public String rows() {
    return model.rows(layer);
  }

  /** Positions per sample the last axis repeats over: {@code 1}, or the constant {@code X_POSITIONS}. */
  public String positions() {
    return model.positions(layer);
  }

  /** A further buffer or member of this layer, named {@code <layer><Role>} unless that is taken. */
  public String member(String role) {
    return model.member(layer, role);
  }

  /** The constant holding the offset of tensor {@code <layer>.<suffix>} in the flat array. */
  public String offset(String suffix) {
    return model.offset(layer, suffix);
  }

  /** True in the step program: the layers run one time step, recurrent layers carry their states. */
  public boolean inStepProgram() {
    return model.inStepProgram();
  }

  /**
   * In the step program, the expression of this layer's carried state {@code what} ({@code
   * hidden}, {@code cell}) of {@code width} values per sequence: the array the step starts from and
   * writes back. Null in the whole-sequence program.
   */
  public String carriedState(String what, int width) {
    return model.carriedState(layer, what, width);
  }

  public boolean lossFused() {
    return layer.lossFused();
  }

  /**
   * Parameter-gradient code, run only when gradients of parameters are asked for (not when a GAN
   * backpropagates through a discriminator to its input); a comment for a frozen layer.
   */
  public CodeBlock parameterGradients(CodeBlock code) {
    if (!layer.trainable()) {
      return CodeBlock.of("// Frozen (trainable = false): no parameter gradients.\n");
    }
    return CodeBlock.builder().beginControlFlow("if (parameterGradients)").add(code).endControlFlow().build();
  }

  /**
   * Code that writes the gradient with respect to input {@code i}, given the buffer it must write
   * (overwriting). Where another reader of the same input already wrote its share, the code writes
   * a scratch buffer that is then added; for a network input it runs only when input gradients
   * are asked for.
   */
  public CodeBlock inputGradient(int i, Function<String, CodeBlock> write) {
    return model.inputGradient(layer, i, (target, accumulate) -> write.apply(target), false);
  }

  /**
   * As {@link #inputGradient(int, Function)} for code that can add into its target itself (a GEMM
   * with {@code accumulate}): it is told whether to overwrite or add, and needs no scratch buffer.
   */
  public CodeBlock inputGradientAdding(int i, java.util.function.BiFunction<String, Boolean, CodeBlock> write) {
    return model.inputGradient(layer, i, write, true);
  }

  /**
   * The gradient buffer for input {@code i} as one argument of a kernel that writes it among other
   * outputs (null when not asked for), and the code to run after that kernel.
   */
  public String inputGradientArgument(int i) {
    return model.inputGradientArgument(layer, i);
  }

  /**
   * The gradient buffer of input {@code i} when this layer is its only reader, so that a view
   * layer ({@code @Reshape}) can use it as its own gradient buffer; null otherwise.
   */
  public String soleReaderInputGradient(int i) {
    return model.soleReaderInputGradient(layer, i);
  }

  public CodeBlock afterInputGradient(int i) {
    return model.afterInputGradient(layer, i);
  }

  /**
   * The gradient buffer of input {@code i} when this layer is its only reader and it is not a
   * network input, so a layer whose output is a view of its input (Flatten) can make its gradient
   * a view of the input's; null otherwise.
   */
  public String inputGradientAlias(int i) {
    return model.inputGradientAlias(layer, i);
  }

}
