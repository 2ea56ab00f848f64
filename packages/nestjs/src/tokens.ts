import { Inject } from '@nestjs/common';

/** Injection token of the module's `KlingReceiver`. */
export const KLING_RECEIVER = 'KLING_RECEIVER';

/** Injects the module's `KlingReceiver` (e.g. to call `receiver.process(event)` with a poll result). */
export const InjectKlingReceiver = (): PropertyDecorator & ParameterDecorator => Inject(KLING_RECEIVER);
