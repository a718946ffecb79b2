package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A long short-term memory layer (Keras's {@code LSTM}) over a sequence [time, features]: for each
 * step, gates = x W_ih + h W_hh + b in PyTorch's order i, f, g, o; c' = f c + i g; h' = o
 * activation(c'), with i, f, o = recurrentActivation and g = activation. The state starts at zero
 * for every sequence. Output [time, units] with {@code returnSequences}, else the last step's
 * [units].
 *
 * <p>Parameters: Keras's one bias per gate, 4 units (features + units + 1) in all. Files use
 * PyTorch's {@code nn.LSTM} names and shapes ({@code weight_ih_l0} [4 units, features], {@code
 * weight_hh_l0} [4 units, units], {@code bias_ih_l0} and {@code bias_hh_l0} [4 units]): PyTorch's two
 * biases load as their sum and save as (bias, zeros).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface LSTM {
  /** {@return the size of the hidden state, > 0} */
  int units();

  /** {@return the activation of the candidate g and of the cell state: TANH, SIGMOID, RELU or LINEAR} */
  ActivationFunction activation() default ActivationFunction.TANH;

  /** {@return the activation of the gates i, f and o: TANH, SIGMOID, RELU or LINEAR} */
  ActivationFunction recurrentActivation() default ActivationFunction.SIGMOID;

  /** {@return true for the output of every step [time, units], false for the last step's [units]} */
  boolean returnSequences() default false;

  /** {@return how W_ih starts} */
  Initializer kernelInit() default Initializer.GLOROT_UNIFORM;

  /** {@return how W_hh starts} */
  Initializer recurrentInit() default Initializer.ORTHOGONAL;

  /** {@return true to start the forget gate's bias at 1 (Keras's default), the other biases at 0} */
  boolean unitForgetBias() default true;

  /** {@return false to freeze the layer's parameters} */
  boolean trainable() default true;
}
