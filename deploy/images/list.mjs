#!/usr/bin/env node
// Prints the names of every image (every service folder, then the gateway) as a JSON array: CI's
// image matrix is this list, so a new service folder is built without editing the workflow.
import { allImages } from './engine.mjs';

process.stdout.write(`${JSON.stringify(allImages().map((image) => image.name))}\n`);
