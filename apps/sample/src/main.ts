import 'reflect-metadata';
import { startSampleApp } from './start-sample-app';

startSampleApp().then(
  (sample) => {
    const stop = () => {
      sample.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  },
);
