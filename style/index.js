import './base.css';
import './extra.css';
import './snapshot.css';
import './untrusted.css';
import './experiment.css';
import './statusbar.css';
